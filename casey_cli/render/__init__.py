"""Rich renderables for people; one place (cli.output) prints them."""
