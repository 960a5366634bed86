"""Django Signals Lab's tutorial project: a real Django project that the lessons study."""
