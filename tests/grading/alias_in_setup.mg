# setup hands derivative out under another name (an instructor's slip): the
# submission never writes 'derivative', so only the runtime check can refuse it.

exercise "An alias in setup"

setup {
  fn f(x) = 3*x**2 - 4*x + 5
  slope = derivative
}

reference {
  fn df(x) = derivative(f, x)
}

question "f'(x)" df(x) for x in [0, 1] points=2
