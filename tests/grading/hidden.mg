# Hidden answers with values that appear nowhere else, so a test can look for them
# in every report: 7.777 (a single value) and 8.8888 at three points.

exercise "Hidden answers"

setup {
  a = 1.25
  b = a * 7.777
  fn g(x) = 8.8888 * x
}

reference {
  backward b
  fn dg(x) = derivative(g, x)
}

question "db/da" a.grad points=2 hidden
question "g'(x)" dg(x) for x in [1, 2, 3] points=3 hidden
question "b" b.data points=1
