package steps_test

import (
	"context"
	"testing"
	"time"
)

// TestDestroyedReadsTheArchivedJournal: after a destroy, the archive says
// when the landscape went and which keys wait for deletion until when;
// a landscape applied again is not destroyed.
func TestDestroyedReadsTheArchivedJournal(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	if d, err := e.eng.Destroyed(ctx, "PRD"); err != nil || d != nil {
		t.Fatalf("before any run: Destroyed = %+v, %v; want nothing", d, err)
	}
	e.apply()
	if d, err := e.eng.Destroyed(ctx, "PRD"); err != nil || d != nil {
		t.Fatalf("after apply: Destroyed = %+v, %v; want nothing", d, err)
	}
	res := e.destroy()
	d, err := e.eng.Destroyed(ctx, "PRD")
	if err != nil || d == nil {
		t.Fatalf("after destroy: Destroyed = %+v, %v", d, err)
	}
	if d.SourceRegion != "eu-central-1" || d.ReplicationRegion != "eu-west-1" || d.DestroyedAt.IsZero() {
		t.Errorf("destroyed landscape %+v", d)
	}
	if len(d.Keys) != 2 || len(res.KeyDeletions) != 2 {
		t.Fatalf("keys %+v, destroy scheduled %d", d.Keys, len(res.KeyDeletions))
	}
	for i, k := range d.Keys {
		if k.State != "PendingDeletion" || k.KeyID == "" || k.Alias == "" {
			t.Errorf("key %+v", k)
		}
		want := res.KeyDeletions[0].DeletionDate
		if k.Region != res.KeyDeletions[0].Region {
			want = res.KeyDeletions[1].DeletionDate
		}
		if !k.DeletionDate.Equal(want) {
			t.Errorf("key %d deleted on %s, destroy said %s", i, k.DeletionDate, want)
		}
	}
	list, err := e.eng.RecentlyDestroyed(ctx)
	if err != nil || len(list) != 1 || list[0].SID != "PRD" {
		t.Fatalf("RecentlyDestroyed = %+v, %v", list, err)
	}
	e.clock.Advance(31 * 24 * time.Hour)
	if list, _ := e.eng.RecentlyDestroyed(ctx); len(list) != 0 {
		t.Errorf("a landscape whose keys are gone is still listed: %+v", list)
	}
	e.apply()
	if d, _ := e.eng.Destroyed(ctx, "PRD"); d != nil {
		t.Errorf("applied again, PRD still reads as destroyed")
	}
}
