import sys

from graphsvc.cli import main

sys.exit(main())
