"""A/B of the Argos engine's group submission: synchronous (one blocking
translate_batch per group, as before) against asynchronous (groups in flight,
the current engine), alternating, on the first N segments of the seed, with
the cached Transformer-base int8 random model that bench_translate.py builds.

    python benchmarks/bench_engine_groups.py 40 1024     # N segments, batch tokens
"""
import glob
import os
import sys
import tempfile
import time
from pathlib import Path

tmp = tempfile.mkdtemp()
for v in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[v] = tmp
os.environ["ARGOS_PACKAGES_DIR"] = tmp + "/pk"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pipeline.models import install
from pipeline.engines.argos import ArgosEngine, DecodingSettings, LENGTH_PENALTY
from pipeline.engines.base import Draft
from pipeline.segment import segment_document

model = glob.glob(str(ROOT / "benchmarks/out/models") + "/*/*.argosmodel") + glob.glob(str(ROOT / "benchmarks/out/models") + "/*.argosmodel")
install(Path(model[0]))
text = open(ROOT / "seeds/000_a24ceba1f548592f.txt", encoding="utf-8").read()
segs = list(dict.fromkeys(s.text for b in segment_document("x", text).blocks for s in b.segments if s.translatable))[: int(sys.argv[1])]

class Sync(ArgosEngine):
    def translate_batches(self, segments):
        self.load()
        sig = self.signature()
        tok = [self._tokenizer.encode(t) for t in segments]
        for group in self._groups([len(t) for t in tok]):
            batch = [tok[i] for i in group]
            res = self._translator.translate_batch(batch, max_batch_size=self.settings.batch_size, batch_type="tokens",
                beam_size=self.settings.beam_size, length_penalty=LENGTH_PENALTY, replace_unknowns=True,
                max_decoding_length=self.settings.cap_for(max(len(t) for t in batch)))
            yield group, [Draft(self._tokenizer.decode(r.hypotheses[0]), sig) for r in res]

s = DecodingSettings(threads=2, beam_size=4, batch_size=int(sys.argv[2]), max_decoding_length=256)
for name, cls in [("sync", Sync), ("async", ArgosEngine), ("sync", Sync), ("async", ArgosEngine)]:
    e = cls(s); e.load()
    t = time.perf_counter(); c = time.process_time()
    e.translate(segs)
    print(name, len(segs), f"{time.perf_counter()-t:.1f}s wall", f"{time.process_time()-c:.1f}s cpu", flush=True)
