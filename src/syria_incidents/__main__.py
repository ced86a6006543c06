"""``python -m syria_incidents``: the same command as ``syria-incidents``.

Useful where the console script is not on PATH (a venv not activated, ``pip install
--user``): ``python -m syria_incidents info``.
"""

from syria_incidents.cli import main

if __name__ == "__main__":
    main()
