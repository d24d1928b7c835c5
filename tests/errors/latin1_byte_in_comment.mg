# café: a Latin-1 byte in a comment is let through
x = 1
