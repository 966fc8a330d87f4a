"""Runs inside the bubblewrap sandbox, just before the kernel: sets the resource limits, drops
root privileges, then replaces itself with the kernel.

    python -m gdcourse.grading.kernels.sandbox_launcher --cpu-seconds 300 ... -- python -m ipykernel_launcher -f F

Standard library only, and nothing imported from the student's side: this runs before any
student code, in the process that becomes the kernel.
"""
import argparse
import os
import resource
import sys
from collections.abc import Sequence
from typing import NoReturn

# When the grader runs as root, each kernel runs as a user of its own that owns nothing and can
# read only what everyone can read. Its own, not `nobody`: RLIMIT_NPROC counts per user, and
# kernels graded at the same time must not share one budget of processes.
SANDBOX_UID_BASE = 200_000


def sandbox_uid(grader_pid: int) -> int:
    """The uid for the kernel of the grader process `grader_pid` (one kernel at a time each)."""
    return SANDBOX_UID_BASE + grader_pid % 100_000

MB = 1024 * 1024


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpu-seconds", type=int, required=True)
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--processes", type=int, required=True)
    parser.add_argument("--file-mb", type=int, required=True)
    parser.add_argument("--open-files", type=int, required=True)
    parser.add_argument("--uid", type=int, required=True)
    parser.add_argument("kernel", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.kernel[:1] == ["--"]:
        args.kernel = args.kernel[1:]
    return args


def set_limits(args: argparse.Namespace) -> None:
    # CPU time: SIGXCPU at the soft limit, which the grader reports by name; SIGKILL 5 s later
    # if the kernel ignored it.
    resource.setrlimit(resource.RLIMIT_CPU, (args.cpu_seconds, args.cpu_seconds + 5))
    limits = {
        resource.RLIMIT_AS: args.memory_mb * MB,
        resource.RLIMIT_FSIZE: args.file_mb * MB,
        resource.RLIMIT_NOFILE: args.open_files,
        resource.RLIMIT_CORE: 0,
    }
    for which, value in limits.items():
        resource.setrlimit(which, (value, value))


def drop_root(args: argparse.Namespace) -> None:
    """When the grader runs as root, the kernel runs as its own unprivileged user: RLIMIT_NPROC is
    not enforced for root, and that user cannot write anything the sandbox mounts from the host."""
    if os.getuid() != 0:
        return
    os.setgroups([])
    os.setgid(args.uid)
    os.setuid(args.uid)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    args = parse(sys.argv[1:] if argv is None else argv)
    set_limits(args)
    drop_root(args)
    # Counted per user, threads included; the grader passes a count that allows for the user's
    # other processes when the sandbox does not run as a user of its own.
    resource.setrlimit(resource.RLIMIT_NPROC, (args.processes, args.processes))
    os.execv(args.kernel[0], args.kernel)


if __name__ == "__main__":
    main()
