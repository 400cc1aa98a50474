"""The admin pages through the test client: the editor, its operations, lists, health, publish, roles."""
