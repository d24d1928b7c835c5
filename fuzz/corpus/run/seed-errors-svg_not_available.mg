a = 2
dot a > "a.svg"
