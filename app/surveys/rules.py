"""Questionnaire rules as pure functions: reading a typed answer, checking a template, the JSON format.

No Flask, no database: the services pass plain objects (anything with the attributes used below).
"""

import re
from dataclasses import dataclass

DEFAULT_SCALE_LABELS = ["Sangat tidak setuju", "Tidak setuju", "Ragu-ragu", "Setuju", "Sangat setuju"]
YES_WORDS = {"1", "y", "ya", "yes"}
NO_WORDS = {"2", "t", "tidak", "n", "no", "0"}
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,19}$")
MAX_TEXT = 2000
JSON_FORMAT = "waspada-kuesioner/1"


@dataclass(frozen=True)
class Reading:
    """What a typed answer means: the stored value (None when blank) and a problem, if any."""

    value: str | None
    problem: str | None = None


def read_answer(qtype: str, settings: dict, raw: str | None) -> Reading:
    """Interpret the keys typed for one question (digits for scales, options and yes/no)."""
    text = (raw or "").strip()
    if not text:
        return Reading(None)
    if qtype == "scale":
        return Reading(text) if text in {"1", "2", "3", "4", "5"} else Reading(text, "Isi angka 1 sampai 5.")
    if qtype == "choice":
        count = len(settings.get("options", []))
        if text.isdigit() and 1 <= int(text) <= count:
            return Reading(str(int(text)))
        return Reading(text, f"Isi nomor pilihan 1 sampai {count}.")
    if qtype == "yesno":
        if text.lower() in YES_WORDS:
            return Reading("ya")
        if text.lower() in NO_WORDS:
            return Reading("tidak")
        return Reading(text, "Isi 1 (ya) atau 2 (tidak).")
    if qtype == "number":
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return Reading(text, "Isi angka.")
        low, high = settings.get("min"), settings.get("max")
        if (low is not None and number < low) or (high is not None and number > high):
            return Reading(text, f"Isi angka {_num(low)} sampai {_num(high)}.")
        return Reading(_num(number))
    if len(text) > MAX_TEXT:
        return Reading(text[:MAX_TEXT], f"Jawaban maksimal {MAX_TEXT} karakter.")
    return Reading(text)


def _num(value) -> str:
    """12.0 → '12', 2.5 → '2.5'."""
    if value is None:
        return "…"
    return str(int(value)) if float(value).is_integer() else str(value)


def key_hint(qtype: str, settings: dict) -> str:
    """What to type, shown beside the input on the entry screen."""
    if qtype == "scale":
        labels = settings.get("labels") or DEFAULT_SCALE_LABELS
        return " · ".join(f"{n} {label}" for n, label in enumerate(labels, start=1))
    if qtype == "choice":
        return " · ".join(f"{n} {o['label']}" for n, o in enumerate(settings.get("options", []), start=1))
    if qtype == "yesno":
        return "1 Ya · 2 Tidak"
    if qtype == "number":
        return f"angka {_num(settings.get('min'))}–{_num(settings.get('max'))}"
    return "teks bebas"


def settings_problems(qtype: str, settings: dict) -> list[str]:
    """What is wrong with a question's type settings (empty when fine)."""
    problems = []
    if qtype == "scale":
        labels = settings.get("labels") or []
        if len(labels) != 5 or not all(str(label).strip() for label in labels):
            problems.append("Skala memerlukan 5 label.")
    elif qtype == "choice":
        options = settings.get("options") or []
        if not 2 <= len(options) <= 9:
            problems.append("Pilihan tunggal memerlukan 2 sampai 9 pilihan.")
        for option in options:
            if not str(option.get("label", "")).strip():
                problems.append("Setiap pilihan memerlukan label.")
            if not isinstance(option.get("score"), int | float):
                problems.append(f"Pilihan “{option.get('label', '')}” belum memiliki skor.")
    elif qtype == "yesno":
        for key in ("yes", "no"):
            if not isinstance(settings.get(key), int | float):
                problems.append("Ya/tidak memerlukan skor untuk ya dan untuk tidak.")
                break
        else:
            if settings["yes"] == settings["no"]:
                problems.append("Skor ya dan tidak tidak boleh sama.")
    elif qtype == "number":
        low, high = settings.get("min"), settings.get("max")
        if not isinstance(low, int | float) or not isinstance(high, int | float) or low >= high:
            problems.append("Angka memerlukan batas bawah yang lebih kecil dari batas atas.")
    return problems


def template_problems(survey) -> list[str]:
    """Everything that blocks activating a template, in Indonesian."""
    problems = []
    if not survey.dimensions:
        problems.append("Tambahkan minimal satu dimensi.")
    codes = [d.code for d in survey.dimensions]
    if len(codes) != len(set(codes)):
        problems.append("Kode dimensi harus unik.")
    if any(d.weight is None or d.weight <= 0 for d in survey.dimensions):
        problems.append("Bobot setiap dimensi harus lebih dari 0.")
    scored = [q for q in survey.questions if q.qtype != "text"]
    if not scored:
        problems.append("Tambahkan minimal satu pertanyaan yang berskor.")
    question_codes = [q.code for q in survey.questions]
    if len(question_codes) != len(set(question_codes)):
        problems.append("Kode pertanyaan harus unik.")
    for question in survey.questions:
        if question.qtype != "text" and question.dimension_id is None and question.dimension is None:
            problems.append(f"Pertanyaan {question.code} belum masuk dimensi.")
        problems.extend(
            f"Pertanyaan {question.code}: {p}" for p in settings_problems(question.qtype, question.settings)
        )
    for dimension in survey.dimensions:
        if not any(q.dimension is dimension or q.dimension_id == dimension.id for q in scored):
            problems.append(f"Dimensi {dimension.code} belum memiliki pertanyaan berskor.")
    return problems


def to_json(survey) -> dict:
    """A template as shareable JSON (codes, not database ids)."""
    return {
        "format": JSON_FORMAT,
        "name": survey.name,
        "edition": survey.edition,
        "description": survey.description,
        "index_name": survey.index_name,
        "direction": str(survey.direction),
        "dimensions": [{"code": d.code, "name": d.name, "weight": d.weight} for d in survey.dimensions],
        "questions": [
            {
                "code": q.code,
                "dimension": q.dimension.code if q.dimension else None,
                "text": q.text,
                "help": q.help,
                "type": str(q.qtype),
                "settings": q.settings,
                "reversed": q.reversed,
                "required": q.required,
            }
            for q in survey.questions
        ],
    }


def json_problems(data) -> list[str]:
    """Why a JSON document is not a template we can import (structure only; content is checked on activation)."""
    if not isinstance(data, dict) or data.get("format") != JSON_FORMAT:
        return [f"Bukan berkas templat Waspada (format {JSON_FORMAT})."]
    problems = []
    for key, limit in (("name", 200), ("edition", 20), ("index_name", 120)):
        if not isinstance(data.get(key), str) or not data[key].strip() or len(data[key]) > limit:
            problems.append(f"Isian '{key}' kosong atau terlalu panjang.")
    if data.get("direction") not in ("higher_worse", "higher_better"):
        problems.append("Arah indeks tidak dikenal.")
    dimensions = data.get("dimensions")
    questions = data.get("questions")
    if not isinstance(dimensions, list) or not isinstance(questions, list):
        return [*problems, "Daftar dimensi dan pertanyaan tidak ada."]
    dimension_codes = set()
    for d in dimensions:
        if not isinstance(d, dict) or not CODE.match(str(d.get("code", ""))) or not str(d.get("name", "")).strip():
            problems.append("Dimensi tanpa kode atau nama yang sah.")
            continue
        if not isinstance(d.get("weight"), int | float):
            problems.append(f"Bobot dimensi {d['code']} harus angka.")
        dimension_codes.add(d["code"])
    for q in questions:
        if not isinstance(q, dict) or not CODE.match(str(q.get("code", ""))) or not str(q.get("text", "")).strip():
            problems.append("Pertanyaan tanpa kode atau teks yang sah.")
            continue
        if q.get("type") not in ("scale", "choice", "yesno", "number", "text"):
            problems.append(f"Jenis pertanyaan {q['code']} tidak dikenal.")
        if q.get("dimension") is not None and q["dimension"] not in dimension_codes:
            problems.append(f"Pertanyaan {q['code']} merujuk dimensi yang tidak ada.")
        if not isinstance(q.get("settings", {}), dict):
            problems.append(f"Pengaturan pertanyaan {q['code']} tidak sah.")
    if len(questions) > 300:
        problems.append("Templat maksimal 300 pertanyaan.")
    return problems


def differences(first: dict[str, str | None], second: dict[str, str | None]) -> list[str]:
    """Keys (question codes or profile fields) where two entries of the same paper form disagree."""
    return sorted(key for key in set(first) | set(second) if (first.get(key) or None) != (second.get(key) or None))
