package awssim

// regionMore validates the resources added for the issue 4 checks.
func (v *validator) regionMore(f, account string, r *Region, instances map[string]*Instance, claim func(field, kind, prefix, id string) error) error {
	return nil
}
