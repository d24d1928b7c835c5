explain L
