package steps

// CountPageLimit lets tests lower the destroy preview's counting bound.
var CountPageLimit = &countPageLimit

// WithoutReadAhead turns reading ahead off for e.
func WithoutReadAhead(e *Engine) *Engine { e.noReadAhead = true; return e }
