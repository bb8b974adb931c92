"""`python -m orbita_gui`: start the application."""

import sys

from orbita_gui.app.main import main

sys.exit(main())
