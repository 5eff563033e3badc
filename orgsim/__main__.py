"""``python -m orgsim``: the same as the ``orgsim`` command."""

if __name__ == "__main__":
    from orgsim.cli import main

    main()
