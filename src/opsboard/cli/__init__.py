"""Every front end that is not Textual: the command line, its output, the demo, the headless
``watch`` mode and the web view launcher."""
