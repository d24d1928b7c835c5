a = 1
if a { print a }
