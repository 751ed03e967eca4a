"""An Indonesian vocabulary with Zipf-distributed word frequencies, for synthetic report text.

The words are PySastrawi's dictionary of Indonesian root words (~30,000, read from the installed
package's data file at run time, not copied here), ranked after a short list of our own of the words
that dominate real reports. Sampling uses a precomputed table: each word fills a share of the table
proportional to 1/rank^s, so drawing a word is one random index into it.
"""

import importlib.util
import random
from array import array
from pathlib import Path

# The most frequent words of situation reports, most frequent first: function words, then the
# vocabulary of the daily work. They take the top ranks; the dictionary follows in shuffled order.
COMMON_WORDS = """
yang dan di ke dari dengan untuk pada dalam oleh tidak ada ini itu akan telah sudah masih belum
juga serta atau karena sehingga namun setelah sebelum terhadap antara secara para bersama setempat
warga desa masyarakat kecamatan kabupaten daerah wilayah lokasi pemerintah aparat kepolisian polres
polsek koramil babinsa bhabinkamtibmas camat lurah kepala kantor balai kampung dusun jalan pasar
sekolah masjid gereja rumah ibadah tokoh agama adat pemuda mahasiswa ormas kelompok organisasi
lahan perusahaan sengketa tuntutan aksi unjuk rasa tuntut ganti rugi batas kebun sawit plasma
tambang batu bara pertambangan izin petani nelayan pedagang buruh pekerja tenaga kerja upah asing
pemilu pilkada calon pendukung kampanye politik uang sembako hoaks ujaran kebencian netralitas asn
bawaslu kpu banjir kebakaran hutan gambut titik api asap bencana bantuan harga bahan pokok
situasi kondusif aman terkendali keamanan ketertiban potensi konflik kerawanan informasi laporan
tindak lanjut koordinasi rapat pertemuan mediasi sosialisasi pembinaan patroli pengamanan pemantauan
terjadi dilaporkan diduga melakukan menyampaikan meminta menolak menuntut mendatangi berkumpul
sekitar orang hari malam pagi siang sore tahun bulan minggu pukul puluhan ratusan beberapa
""".split()


class VocabularyMissing(RuntimeError):
    """PySastrawi (the source of the dictionary) is not installed."""


def dictionary_path() -> Path:
    """Where the installed PySastrawi keeps its root-word list."""
    spec = importlib.util.find_spec("Sastrawi")
    path = Path(spec.origin).parent / "Stemmer" / "data" / "kata-dasar.txt" if spec and spec.origin else None
    if path is None or not path.is_file():
        raise VocabularyMissing(
            "Kosakata bahasa Indonesia tidak ditemukan: pasang PySastrawi "
            "(`.venv/bin/pip install -r requirements-dev.txt`)."
        )
    return path


def load_words() -> list[str]:
    """Our common words, then the dictionary's single words (no spaces or hyphens) in a fixed shuffled order."""
    words = dictionary_path().read_text(encoding="utf-8").split("\n")
    common = set(COMMON_WORDS)
    rest = sorted({w.strip() for w in words if w.strip().isalpha() and w.strip() not in common})
    # A fixed order, independent of the data seed: the same words are frequent in every data set.
    random.Random(20240903).shuffle(rest)
    return list(dict.fromkeys(COMMON_WORDS)) + rest


class ZipfTable:
    """Words laid out so that a uniform random slot picks a word with probability ∝ 1 / rank**exponent."""

    BITS = 20  # 1 M slots (8 MB, stays in cache): the rarest of 30,000 words still gets three

    def __init__(self, words: list[str], exponent: float = 1.0):
        size = 1 << self.BITS
        weights = [1 / (rank**exponent) for rank in range(1, len(words) + 1)]
        scale = size / sum(weights)
        slots = [max(1, round(w * scale)) for w in weights]
        # Rounding (and the one-slot floor of rare words) moves the total a little; the top word absorbs it.
        slots[0] += size - sum(slots)
        self.slots = [word for word, count in zip(words, slots, strict=True) for _ in range(count)]


class TextMaker:
    """Draws Zipf-distributed words, phrases, sentences and names from a seeded generator."""

    BLOCK = 1 << 16

    def __init__(self, table: ZipfTable, rng: random.Random):
        self.rng = rng
        self.slots = table.slots
        self.pool = array("I")
        # The top bits of each random number index the table.
        self.shift = 8 * self.pool.itemsize - ZipfTable.BITS
        self.at = 0

    def words(self, count: int) -> list[str]:
        """`count` words drawn independently."""
        if self.at + count > len(self.pool):
            # One C call draws a block of random numbers instead of one Python call per word.
            self.pool = array("I", self.rng.randbytes(self.pool.itemsize * max(count, self.BLOCK)))
            self.at = 0
        start, self.at = self.at, self.at + count
        slots, shift = self.slots, self.shift
        return [slots[x >> shift] for x in self.pool[start : self.at]]

    def phrase(self, low: int, high: int) -> str:
        """Between `low` and `high` words, space-separated."""
        return " ".join(self.words(low + int(self.rng.random() * (high - low + 1))))

    def sentence(self, low: int, high: int) -> str:
        """A capitalised run of words ending with a full stop."""
        text = self.phrase(low, high)
        return text[:1].upper() + text[1:] + "."
