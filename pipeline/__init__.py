"""Pipeline assembly: configuration, the stage graph and runner options."""
