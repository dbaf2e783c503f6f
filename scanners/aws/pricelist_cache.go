package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// DefaultPriceCacheMaxAge is how long a fetched list price is reused.
const DefaultPriceCacheMaxAge = 7 * 24 * time.Hour

// PriceCache keeps fetched list prices on disk, one JSON file per item and
// region, with the time they were fetched. Files are written atomically
// (a temporary file renamed over the old one). A file that cannot be read
// back is an error that names it, never a silent miss or a zero price.
type PriceCache struct {
	Dir    string
	MaxAge time.Duration    // default DefaultPriceCacheMaxAge
	Now    func() time.Time // default time.Now
}

// DefaultPriceCacheDir is $XDG_CACHE_HOME/ghostaudit/prices, or
// ~/.cache/ghostaudit/prices when XDG_CACHE_HOME is unset (on every OS:
// a CLI user expects one place).
func DefaultPriceCacheDir() (string, error) {
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "ghostaudit", "prices"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("aws: price cache: no home directory for ~/.cache: %w", err)
	}
	return filepath.Join(home, ".cache", "ghostaudit", "prices"), nil
}

// NewPriceCache returns a cache in dir ("" for DefaultPriceCacheDir) with
// the default max age.
func NewPriceCache(dir string) (*PriceCache, error) {
	if dir == "" {
		d, err := DefaultPriceCacheDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	return &PriceCache{Dir: dir, MaxAge: DefaultPriceCacheMaxAge}, nil
}

const priceCacheVersion = 1

type priceCacheEntry struct {
	Version   int       `json:"version"`
	FetchedAt time.Time `json:"fetched_at"`
	Price     ListPrice `json:"price"`
}

var cacheNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

func (c *PriceCache) path(q PriceQuery) (string, error) {
	if !cacheNameRE.MatchString(q.Item) || !cacheNameRE.MatchString(q.Region) {
		return "", fmt.Errorf("aws: price cache: %q in %q is not a cacheable item and region name", q.Item, q.Region)
	}
	return filepath.Join(c.Dir, q.Region+"@"+q.Item+".json"), nil
}

func (c *PriceCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *PriceCache) maxAge() time.Duration {
	if c.MaxAge > 0 {
		return c.MaxAge
	}
	return DefaultPriceCacheMaxAge
}

// Get returns the cached price of q and when it was fetched. ok is false
// when there is no entry or it is older than MaxAge; err is set when the
// file exists but is unreadable or corrupt.
func (c *PriceCache) Get(q PriceQuery) (p ListPrice, fetched time.Time, ok bool, err error) {
	file, err := c.path(q)
	if err != nil {
		return ListPrice{}, time.Time{}, false, err
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return ListPrice{}, time.Time{}, false, nil
	}
	if err != nil {
		return ListPrice{}, time.Time{}, false, fmt.Errorf("aws: price cache: %w", err)
	}
	var e priceCacheEntry
	corrupt := func(why string) error {
		return fmt.Errorf("aws: price cache file %s is corrupt (%s): delete it to refetch", file, why)
	}
	if err := json.Unmarshal(data, &e); err != nil {
		return ListPrice{}, time.Time{}, false, corrupt(err.Error())
	}
	switch {
	case e.Version != priceCacheVersion:
		return ListPrice{}, time.Time{}, false, corrupt(fmt.Sprintf("version %d, want %d", e.Version, priceCacheVersion))
	case e.FetchedAt.IsZero():
		return ListPrice{}, time.Time{}, false, corrupt("no fetched_at")
	case e.Price.Item != q.Item || e.Price.Region != q.Region:
		return ListPrice{}, time.Time{}, false, corrupt(fmt.Sprintf("holds %s in %s", e.Price.Item, e.Price.Region))
	case e.Price.Unit == "" || e.Price.Currency == "":
		return ListPrice{}, time.Time{}, false, corrupt("no unit or currency")
	}
	if d, err := decimal.NewFromString(e.Price.Amount); err != nil || d.IsNegative() {
		return ListPrice{}, time.Time{}, false, corrupt(fmt.Sprintf("amount %q", e.Price.Amount))
	}
	if c.now().Sub(e.FetchedAt) > c.maxAge() {
		return e.Price, e.FetchedAt, false, nil
	}
	return e.Price, e.FetchedAt, true, nil
}

// Put stores p, fetched now, atomically.
func (c *PriceCache) Put(p ListPrice) error {
	file, err := c.path(PriceQuery{Item: p.Item, Region: p.Region})
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(priceCacheEntry{Version: priceCacheVersion, FetchedAt: c.now().UTC(), Price: p}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("aws: price cache: %w", err)
	}
	tmp, err := os.CreateTemp(c.Dir, ".tmp-*.json")
	if err != nil {
		return fmt.Errorf("aws: price cache: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("aws: price cache: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("aws: price cache: sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("aws: price cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("aws: price cache: %w", err)
	}
	return nil
}

// CachedPrice is a price with the time it was fetched from the Price List.
type CachedPrice struct {
	ListPrice
	FetchedAt time.Time
	FromCache bool
}

// FetchPricesCached answers each query from the cache when its entry is
// younger than the max age, and fetches the others (FetchPrices), storing
// what it fetched. A corrupt cache file is an error for its query (the
// price is then not fetched either: the file must be looked at or
// deleted). A failed write is reported but the fetched price is returned.
func FetchPricesCached(ctx context.Context, cfg PriceListConfig, cache *PriceCache, queries []PriceQuery) ([]CachedPrice, []error) {
	var (
		out   []CachedPrice
		errs  []error
		fetch []PriceQuery
	)
	for _, q := range dedupeQueries(queries) {
		p, at, ok, err := cache.Get(q)
		switch {
		case err != nil:
			errs = append(errs, err)
		case ok:
			out = append(out, CachedPrice{ListPrice: p, FetchedAt: at, FromCache: true})
		default:
			fetch = append(fetch, q)
		}
	}
	if len(fetch) > 0 {
		prices, ferrs := FetchPrices(ctx, cfg, fetch)
		errs = append(errs, ferrs...)
		for _, p := range prices {
			if err := cache.Put(p); err != nil {
				errs = append(errs, err)
			}
			out = append(out, CachedPrice{ListPrice: p, FetchedAt: cache.now().UTC()})
		}
	}
	sortCached(out)
	return out, errs
}

func sortCached(ps []CachedPrice) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Item != ps[j].Item {
			return ps[i].Item < ps[j].Item
		}
		return ps[i].Region < ps[j].Region
	})
}
