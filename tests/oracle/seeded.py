"""What the seeded batches of the settlement oracle share (batch_generated.py and
fuzz_mutate.py): their command line, one season's comparison through diff_run.py, and the
closing summary."""
import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(doc):
    """FIRST LAST --bin TRIPARTITE --keys KEYDIR --work WORKDIR"""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("first", type=int)
    ap.add_argument("last", type=int)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--keys", required=True)
    ap.add_argument("--work", required=True)
    return ap.parse_args()


def agrees(args, season_dir, steps):
    """Runs diff_run.py on the season and steps; on agreement removes the season and its
    work folder and returns True."""
    rc = subprocess.run([sys.executable, os.path.join(HERE, "diff_run.py"), "--bin", args.bin, "--keys", args.keys,
                         "--work", season_dir + ".work", "--season-dir", season_dir, "--quiet"] + steps).returncode
    if rc != 0:
        return False
    shutil.rmtree(season_dir, ignore_errors=True)
    shutil.rmtree(season_dir + ".work", ignore_errors=True)
    return True


def finish(what, args, fails):
    n = args.last - args.first + 1
    print(f"{what}: {n - fails} of {n} agree")
    sys.exit(1 if fails else 0)
