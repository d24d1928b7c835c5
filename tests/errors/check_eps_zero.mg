a = 2
L = a * a
check L eps=0
