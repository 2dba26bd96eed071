import sys

from flows.cli import app

if __name__ == "__main__":  # `pfs site` starts worker processes, which import this module again
    sys.exit(app())
