"""The application: main window, actions, menus and the command line."""
