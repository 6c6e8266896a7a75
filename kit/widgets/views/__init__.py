"""The ipywidgets side of each app: controls wired to a model, its picture in an Image."""
