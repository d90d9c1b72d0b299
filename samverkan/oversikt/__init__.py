"""The projektledare's start page: the next meeting of each team they lead and the inbox."""
