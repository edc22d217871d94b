package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/spec"
)

// DestroyedLandscape is a landscape whose last run was a destroy that
// finished: its journal is archived and no local state is left. Keys are
// the KMS keys that destroy scheduled for deletion, with their state now.
type DestroyedLandscape struct {
	SID               string        `json:"sid"`
	SourceRegion      string        `json:"sourceRegion"`
	ReplicationRegion string        `json:"replicationRegion"`
	DestroyedAt       time.Time     `json:"destroyedAt"`
	Archive           string        `json:"archive"` // directory of the archived journal
	Keys              []KeyDeletion `json:"keyDeletions,omitempty"`
}

// KeyStateDeleted is the state of a destroyed landscape's key that KMS has
// deleted (DescribeKey no longer finds it).
const KeyStateDeleted = "Deleted"

// PendingKeys reports whether any of the landscape's keys still waits out
// its deletion window (and can be saved).
func (d *DestroyedLandscape) PendingKeys(now time.Time) bool {
	for _, k := range d.Keys {
		if k.State == "PendingDeletion" || (k.State == "" && k.DeletionDate.After(now)) {
			return true
		}
	}
	return false
}

// Destroyed reads what the archived journal of sid says about its
// destroy. It returns nil and no error when sid was not destroyed: it has
// local state (again), no archive, or its last archived run is not a
// destroy that finished.
func (e *Engine) Destroyed(ctx context.Context, sid string) (*DestroyedLandscape, error) {
	id, err := e.Identity(ctx)
	if err != nil {
		return nil, err
	}
	return e.destroyed(ctx, id.Account, sid)
}

func (e *Engine) destroyed(ctx context.Context, account, sid string) (*DestroyedLandscape, error) {
	if _, err := e.localLandscape(account, sid); err == nil {
		return nil, nil
	}
	root := filepath.Join(e.journalDir(account, sid), journal.ArchiveDir)
	entries, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the archived journals of %s: %w", sid, err)
	}
	var names []string
	for _, ent := range entries {
		if ent.IsDir() {
			names = append(names, ent.Name())
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	slices.Sort(names) // archive directories are named by their UTC time
	dir := filepath.Join(root, names[len(names)-1])
	recs, _, err := journal.Read(dir)
	if err != nil {
		return nil, err
	}
	start, end := -1, -1
	for i, r := range recs {
		switch r.Kind {
		case journal.KindRunStart:
			start, end = i, -1
		case journal.KindRunEnd:
			end = i
		}
	}
	if start < 0 || end < 0 || recs[start].Detail != "destroy" || recs[end].Detail != "ok" {
		return nil, nil
	}
	l, err := spec.Load(filepath.Join(dir, journal.LandscapeFile))
	if err != nil && len(recs[start].Landscape) > 0 {
		err = json.Unmarshal(recs[start].Landscape, &l)
	}
	if err != nil {
		return nil, fmt.Errorf("read the destroyed landscape %s in %s: %w", sid, dir, err)
	}
	l.ApplyDefaults()
	d := &DestroyedLandscape{SID: sid, SourceRegion: l.SourceRegion, ReplicationRegion: l.ReplicationRegion,
		DestroyedAt: recs[end].Time, Archive: dir}
	for _, r := range recs[start:end] {
		if r.Kind != journal.KindDone || r.Op != "kms:ScheduleKeyDeletion" {
			continue
		}
		alias := l.OriginalCMKAlias
		if r.Region == l.ReplicationRegion {
			alias = l.ReplicationCMKAlias
		}
		k := KeyDeletion{KeyInfo: KeyInfo{Region: r.Region, Alias: alias, KeyID: r.Resource, Arn: r.ID},
			// KMS deletes the key the waiting period after it was scheduled.
			DeletionDate: r.Time.AddDate(0, 0, l.KMSDeletionWindowDays)}
		// The key's state now: a deletion someone cancelled is no longer
		// pending, and KMS knows the exact date.
		md, err := e.opts.Account.KMS(r.Region).DescribeKey(ctx, r.Resource)
		switch {
		case err == nil:
			k.State = md.KeyState
			if !md.DeletionDate.IsZero() {
				k.DeletionDate = md.DeletionDate
			}
		case cloud.IsCode(err, cloud.CodeNotFoundException):
			k.State = KeyStateDeleted
		}
		d.Keys = append(d.Keys, k)
	}
	return d, nil
}

// RecentlyDestroyed lists the account's destroyed landscapes whose keys
// still wait out their deletion window, newest first.
func (e *Engine) RecentlyDestroyed(ctx context.Context) ([]DestroyedLandscape, error) {
	id, err := e.Identity(ctx)
	if err != nil {
		return nil, err
	}
	root := filepath.Join(e.opts.StateDir, id.Account)
	entries, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state directory %s: %w", root, err)
	}
	var out []DestroyedLandscape
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		d, err := e.destroyed(ctx, id.Account, ent.Name())
		if err != nil || d == nil || !d.PendingKeys(e.opts.Now()) {
			continue
		}
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b DestroyedLandscape) int { return b.DestroyedAt.Compare(a.DestroyedAt) })
	return out, nil
}
