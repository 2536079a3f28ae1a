"""Runs the README's examples and fails when an output drifts.

Every ```console block of README.md is run in order, in one scratch directory
that sees the repository's tests/, scenarios/, docs/, deploy/ and README.md, with the packtwin
under test first on PATH: each "$ COMMAND" line runs in bash (stdout and
stderr together), and the lines after it, up to the next "$ " line or the
block's end, are its expected output. A line "..." stands for any number of
lines. Plain ``` blocks (live adapters, timings) are shown, not run.

usage: readme_examples.py README BUILD_DIR [--update]
  --update rewrites the expected outputs that have no "..." with what the
  commands printed (then review the diff).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

TIMEOUT_S = 600


def blocks(lines):
    """Yields (command, command line index, first output index, end index) per command."""
    inside = False
    commands = []
    for i, line in enumerate(lines):
        if line.startswith("```"):
            if not inside and line.strip() == "```console":
                inside = True
                continue
            if inside:
                commands.append(("end", i))
                inside = False
            continue
        if inside and line.startswith("$ "):
            commands.append(("cmd", i))
    result = []
    for n, (kind, i) in enumerate(commands):
        if kind != "cmd":
            continue
        end = commands[n + 1][1]
        result.append((lines[i][2:], i, i + 1, end))
    return result


def matches(expected, actual):
    """Whether actual fits expected, where a "..." line matches any lines."""
    memo = {}

    def go(e, a):
        key = (e, a)
        if key in memo:
            return memo[key]
        if e == len(expected):
            ok = a == len(actual)
        elif expected[e] == "...":
            ok = any(go(e + 1, k) for k in range(a, len(actual) + 1))
        else:
            ok = a < len(actual) and expected[e] == actual[a] and go(e + 1, a + 1)
        memo[key] = ok
        return ok

    return go(0, 0)


def help_mismatches(lines, packtwin, env):
    """Each "### `packtwin CMD ...`" heading names exactly the options `packtwin CMD --help` lists."""
    problems = []
    for at, line in enumerate(lines):
        if not line.startswith("### "):
            continue
        for synopsis in re.findall(r"`(packtwin [^`]*)`", line):
            words = synopsis.split()[1:]
            path = []
            for word in words:
                if not re.fullmatch(r"[a-z][a-z-]*", word):
                    break
                path.append(word)
            shown = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", synopsis))
            run = subprocess.run([packtwin] + path + ["--help"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT)
            listed = set(re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)", run.stdout.decode(), re.M)) - {"--help"}
            if shown != listed:
                problems.append(f"README.md:{at + 1}: packtwin {' '.join(path)}: README shows "
                                f"{sorted(shown - listed)} that --help lacks, --help lists {sorted(listed - shown)} "
                                f"that the README lacks")
    return problems


def main(readme, build_dir, update=False):
    repo = os.path.dirname(os.path.abspath(readme))
    with open(readme) as f:
        lines = f.read().split("\n")
    work = tempfile.mkdtemp(prefix="packtwin-readme-")
    for name in ("tests", "scenarios", "README.md", "docs", "deploy"):
        os.symlink(os.path.join(repo, name), os.path.join(work, name))
    env = dict(os.environ)
    env["PATH"] = os.path.join(os.path.abspath(build_dir), "cli") + ":" + env["PATH"]
    env["TZ"] = "UTC"
    failures = 0
    replacements = []
    previous_exit = 0
    try:
        for command, at, first, end in blocks(lines):
            # stderr joins stdout before the command's own redirections; $? is the previous command's status.
            script = f"exec 2>&1\n(exit {previous_exit})\n{command}\n"
            run = subprocess.run(["bash", "-c", script], cwd=work, env=env, stdout=subprocess.PIPE,
                                 timeout=TIMEOUT_S)
            previous_exit = run.returncode
            actual = [l.rstrip() for l in run.stdout.decode("utf-8", "replace").rstrip("\n").split("\n")]
            if actual == [""]:
                actual = []
            expected = [l.rstrip() for l in lines[first:end]]
            while expected and expected[-1] == "":
                expected.pop()
            if matches(expected, actual):
                continue
            if update and "..." not in expected:
                replacements.append((first, end, actual + ([""] if lines[first:end] and lines[end - 1] == "" else [])))
                continue
            failures += 1
            print(f"README.md:{at + 1}: $ {command}")
            print("  expected:\n    " + "\n    ".join(expected or ["(nothing)"]))
            print("  printed:\n    " + "\n    ".join(actual or ["(nothing)"]))
        for problem in help_mismatches(lines, os.path.join(os.path.abspath(build_dir), "cli", "packtwin"), env):
            failures += 1
            print(problem)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if update and replacements:
        for first, end, new in reversed(replacements):
            lines[first:end] = new
        with open(readme, "w") as f:
            f.write("\n".join(lines))
        print(f"updated {len(replacements)} outputs in {readme}")
    count = len(blocks(lines))
    print(f"{count} README examples, {failures} drifted")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], "--update" in sys.argv[3:]))
