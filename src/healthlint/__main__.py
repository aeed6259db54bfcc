"""`python -m healthlint` runs the CLI."""

from healthlint.cli import main

if __name__ == "__main__":
    main()
