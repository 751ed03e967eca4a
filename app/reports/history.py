"""What changed between two submitted versions of a report. Pure functions over snapshots."""

from .models import ITEM_FIELD_LABELS

HEADER_LABELS = {
    "situation_level": "Situasi umum",
    "summary": "Ringkasan",
    "classification": "Klasifikasi",
    "nihil": "Nihil",
}


def diff_snapshots(old: dict | None, new: dict | None, situation_labels: list[str]) -> list[str]:
    """Indonesian lines describing the changes from `old` to `new` (empty for the first version)."""
    if not old or not new:
        return []
    lines = []
    for key, label in HEADER_LABELS.items():
        if old.get(key) != new.get(key):
            if key == "situation_level":
                before, after = _level(old.get(key), situation_labels), _level(new.get(key), situation_labels)
                lines.append(f"{label}: {before} → {after}")
            else:
                lines.append(f"{label} diubah")
    old_items = {item["id"]: item for item in old.get("items", [])}
    new_items = {item["id"]: item for item in new.get("items", [])}
    for item_id, item in new_items.items():
        before = old_items.get(item_id)
        if before is None:
            lines.append(f"Kejadian ditambahkan: {item['title']}")
            continue
        changed = [label for name, label in ITEM_FIELD_LABELS.items() if before.get(name) != item.get(name)]
        if changed:
            lines.append(f"Kejadian \u201c{item['title']}\u201d diubah: {', '.join(changed)}")
    for item_id, item in old_items.items():
        if item_id not in new_items:
            lines.append(f"Kejadian dihapus: {item['title']}")
    return lines


def _level(level: int | None, labels: list[str]) -> str:
    """The label of a situasi umum level."""
    if level is None or not 1 <= level <= len(labels):
        return "–"
    return labels[level - 1]
