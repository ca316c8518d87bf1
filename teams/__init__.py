"""The Teams app package: its manifest template, icons and the script that zips them."""
