# Trains a smaller model of its own under the same name: both requirements read it.
n = MLP(3, [8, 1])
for k in 0..200 {
  ypred = [n(x) for x in xs]
  loss = sum([(yout - ygt)**2 for (ygt, yout) in zip(ys, ypred)])
  zero_grad n
  backward loss
  for p in parameters(n) { p.data -= 0.05 * p.grad }
}
