"""CMS's ZIP code to carrier locality files: their catalog and the flow that brings a quarter into the lake."""
