exercise "Logs"
setup { fn f(x) = log(x) }
reference { }
question "log at several points" f(x) for x in [1, 2, 0]
