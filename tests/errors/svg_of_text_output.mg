a = 2
grad a > "a.svg"
