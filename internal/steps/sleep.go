package steps

import (
	"context"
	"time"
)

// Sleep waits d or until ctx is done, whichever comes first; it is the
// default wait of the engine and of the DR commands built on its events.
func Sleep(ctx context.Context, d time.Duration) error { return sleepCtx(ctx, d) }
