-- wrk script of `make bench` (bench/httpbench.py): requests come from a plan file written by the harness
-- (path in WASPADA_WRK_PLAN), chosen by weight; every answer whose status is not the expected one is
-- counted, so a 302 to the log-in page, a 409 or a 500 is never taken for a fast success. At the end one
-- line "WASPADA_WRK {json}" gives the percentiles, the counts and the statuses seen.
--
-- Writes (kind "write") change an incident each time: the body alternates between the item as it was and
-- the item with a marker, and carries the version the app expects. The item's version goes up by one with
-- every accepted save, so the version to send is the starting version plus this thread's accepted saves.
-- That holds only when a thread has one connection (requests and answers strictly in turn) and no other
-- thread writes the same item: the harness runs write plans with as many threads as connections and
-- gives every thread an item of its own (plan.writes[thread number]), put back as it was before each run.

local plan = dofile(os.getenv("WASPADA_WRK_PLAN"))
local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   -- wrk.init (which sets the Host header) calls this init; the plan's headers carry Host anyway.
   math.randomseed(plan.seed + id)
   ok, bad, saves = 0, 0, 0
   ok_by_kind, bad_by_kind, statuses = {}, {}, {}
   write = plan.writes and plan.writes[id]
   total, cumulative = 0, {}
   for i, r in ipairs(plan.requests) do
      total = total + r.weight
      cumulative[i] = total
      if r.kind ~= "write" then
         r.raw = wrk.format(r.method, r.path, r.headers, r.body)
      end
   end
   last = nil
end

local function pick()
   if #plan.requests == 1 then
      return plan.requests[1]
   end
   local x = math.random() * total
   for i, bound in ipairs(cumulative) do
      if x < bound then
         return plan.requests[i]
      end
   end
   return plan.requests[#plan.requests]
end

function request()
   local r = pick()
   last = r
   if r.kind == "write" then
      local body = (saves % 2 == 0) and write.changed or write.original
      body = body .. "&version=" .. tostring(write.version + saves)
      return wrk.format("POST", write.path, write.headers, body)
   end
   return r.raw
end

local function bump(map, key)
   map[key] = (map[key] or 0) + 1
end

function response(status, headers, body)
   local kind = last and last.kind or "?"
   if status == plan.expect then
      ok = ok + 1
      bump(ok_by_kind, kind)
      if kind == "write" then
         saves = saves + 1
      end
   else
      bad = bad + 1
      bump(bad_by_kind, kind)
      bump(statuses, tostring(status))
   end
end

local function merge(into, map)
   for key, n in pairs(map or {}) do
      into[key] = (into[key] or 0) + n
   end
end

local function json_map(map)
   local parts = {}
   for key, n in pairs(map) do
      table.insert(parts, string.format('"%s":%d', key, n))
   end
   return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
   local all_ok, all_bad, by_ok, by_bad, seen, saves_by_thread = 0, 0, {}, {}, {}, {}
   for _, thread in ipairs(threads) do
      all_ok = all_ok + (thread:get("ok") or 0)
      all_bad = all_bad + (thread:get("bad") or 0)
      merge(by_ok, thread:get("ok_by_kind"))
      merge(by_bad, thread:get("bad_by_kind"))
      merge(seen, thread:get("statuses"))
      saves_by_thread[tostring(thread:get("id"))] = thread:get("saves") or 0
   end
   local e = summary.errors
   io.write(string.format(
      'WASPADA_WRK {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,'
         .. '"max_us":%d,"mean_us":%.1f,"ok":%d,"bad":%d,"connect_errors":%d,"read_errors":%d,'
         .. '"write_errors":%d,"timeouts":%d,"statuses":%s,"ok_by_kind":%s,"bad_by_kind":%s,"saves":%s}\n',
      summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(95),
      latency:percentile(99), latency.max, latency.mean, all_ok, all_bad, e.connect, e.read, e.write,
      e.timeout, json_map(seen), json_map(by_ok), json_map(by_bad), json_map(saves_by_thread)))
end
