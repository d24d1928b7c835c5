exercise "Derivatives"
setup { fn f(x) = 3*x**2 - 4*x + 5 }
reference { fn df(x) = derivative(f, x) }
question "f'(x)" df(x) for (x, y) in [[1, 2]]
