# 01 — What a derivative is, measured by nudging.
#
# Before any autograd: the derivative of f at x is how much f changes when x
# changes a tiny bit h, divided by h. Run: cargo run --release -- examples/01_derivative.mg

# A parabola. `fn name(args) = expression` defines a one-line function.
fn f(x) = 3*x**2 - 4*x + 5

# Plain numbers stay plain numbers: calling f on 3.0 just computes 20.
assert f(3.0) == 20, "f(3) = 3*9 - 12 + 5 = 20"
print "f(3) =", f(3.0)

# Nudge x by h and look at the rise over the run.
h = 0.001
x = 3.0
slope = (f(x + h) - f(x)) / h
print "slope at x = 3 with h = 0.001:", slope

# Calculus says f'(x) = 6x - 4, so f'(3) = 14. The nudge gives 14.003: the
# extra 3h comes from the curvature (f(x+h) - f(x) = (6x - 4)h + 3h²).
assert abs(slope - 14) < 0.01, "the nudged slope at 3 is about 14"
assert abs(slope - 14.003) < 1e-9, "and the error is exactly the 3h of curvature"

# A smaller h gets closer — until floating point rounding starts to bite.
h = 0.000001
slope = (f(x + h) - f(x)) / h
print "slope at x = 3 with h = 1e-6:  ", slope
assert abs(slope - 14) < 1e-4

# Elsewhere the slope is negative, or zero at the bottom of the parabola.
h = 0.000001
print "slope at x = -3:", (f(-3 + h) - f(-3)) / h
assert abs((f(-3 + h) - f(-3)) / h - -22) < 1e-4, "f'(-3) = -22"
x = 2 / 3
print "slope at x = 2/3:", (f(x + h) - f(x)) / h
assert abs((f(x + h) - f(x)) / h) < 1e-4, "f'(2/3) = 0: the minimum"

# ---------------------------------------------------------------------------
# Three inputs: d = a*b + c. Nudge one input at a time; the slope with respect
# to each is its partial derivative.
fn g(a, b, c) = a*b + c

a = 2.0
b = -3.0
c = 10.0
h = 0.001
d1 = g(a, b, c)
print "d1 =", d1
assert d1 == 4

# Bump a: d changes by b*h, so the slope is b = -3.
slope_a = (g(a + h, b, c) - d1) / h
# Bump b: the slope is a = 2.
slope_b = (g(a, b + h, c) - d1) / h
# Bump c: c is simply added, so the slope is 1.
slope_c = (g(a, b, c + h) - d1) / h
print "dd/da", slope_a, "dd/db", slope_b, "dd/dc", slope_c

assert abs(slope_a - -3) < 1e-9, "dd/da = b"
assert abs(slope_b - 2) < 1e-9, "dd/db = a"
assert abs(slope_c - 1) < 1e-9, "dd/dc = 1"

# Every slope above cost one extra evaluation of the function per input.
# A network has thousands of inputs (weights); backpropagation gets all the
# slopes in one backward sweep. That is what the next examples build.
