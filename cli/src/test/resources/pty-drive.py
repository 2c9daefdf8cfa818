"""Runs a shell command on a fresh pseudo-terminal (its controlling terminal) and answers prompts.

usage: pty-drive.py COMMAND PROMPT ANSWER [PROMPT ANSWER ...]
A PROMPT that comes again is answered by its next pair once it has appeared again; a prompt
is answered when the terminal's output ends in ": " or "] ".
Prints everything the terminal showed; exits with the command's exit status.
Used by TerminalPromptIT: Java cannot allocate a pty by itself.
"""
import os, pty, select, sys, time

command, pairs = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("sh", ["sh", "-c", command])
shown, answered, deadline = b"", 0, time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        shown += data
    # A prompt asked again (after a mismatch, say) is answered only once it has appeared again.
    if answered * 2 < len(pairs):
        prompt = pairs[answered * 2]
        earlier = pairs[0:answered * 2:2].count(prompt)
        if shown.count(prompt.encode()) > earlier and \
                (shown.endswith(b": ") or shown.endswith(b"] ")):
            os.write(fd, pairs[answered * 2 + 1].encode() + b"\n")
            answered += 1
_, status = os.waitpid(pid, 0)
sys.stdout.write(shown.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
