# The lecture's first function, f(x) = 3x² - 4x + 5: its derivative as a formula.

exercise "f'(x) of 3x² - 4x + 5, as a formula"

setup {
  fn f(x) = 3*x**2 - 4*x + 5
}

reference {
  fn df(x) = derivative(f, x)
}

question "f'(x) at several points" df(x) for x in [-2, 0, 0.5, 2/3, 3, 100] points=3
question "the slope where f is lowest" df(2/3) points=1 tol=1e-9
