package steps

// CountPageLimit lets tests lower the destroy preview's counting bound.
var CountPageLimit = &countPageLimit
