a = 2
assert a * 2 == 5, "doubling 2 gives 4"
