"""Scrapy commands of the project (``COMMANDS_MODULE``): each module's name is its command's."""
