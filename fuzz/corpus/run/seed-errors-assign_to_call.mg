f(x) = 3 * x
