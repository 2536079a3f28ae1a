"""Pseudo-terminal helpers the Python peers share (a serial line stand-in)."""
import os
import time
import tty


def pty_pair():
    """A raw pty: (master fd, slave path, slave fd kept open)."""
    master, slave = os.openpty()
    tty.setraw(slave)
    return master, os.ttyname(slave), slave


def wait_for(path, seconds):
    """Waits until `path` exists, at most `seconds`."""
    deadline = time.time() + seconds
    while not os.path.exists(path) and time.time() < deadline:
        time.sleep(0.02)
