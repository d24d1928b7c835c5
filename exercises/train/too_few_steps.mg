# The loop of SPEC §5: 50 steps leave the loss at about 0.015.
for k in 0..50 {
  ypred = [n(x) for x in xs]
  loss = sum([(yout - ygt)**2 for (ygt, yout) in zip(ys, ypred)])
  zero_grad n
  backward loss
  for p in parameters(n) { p.data -= 0.05 * p.grad }
}
