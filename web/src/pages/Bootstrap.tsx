/**
 * Bootstrap: what `ferry pim bootstrap` would create in the PIM for the saved mapping, grouped
 * (locales, attribute group, attributes, options, families, family variants, category root),
 * applied after confirmation with one result per item. Nothing existing is changed except
 * families gaining attributes and channels gaining locales. The plan and its results are the
 * shared components/BootstrapPlan.tsx, which the first-run wizard shows too.
 */
import { Text } from '@mantine/core';
import { useSession } from '../api/session';
import { BootstrapActions, BootstrapPlanBody, useBootstrap } from '../components/BootstrapPlan';
import { PageHeader } from '../components/PageHeader';

export function BootstrapPage() {
  const session = useSession();
  const isAdmin = session.data?.user?.role === 'admin';
  const state = useBootstrap();
  return (
    <>
      <PageHeader
        title="Bootstrap"
        help="What the mapping needs and the PIM lacks: the ERP's attribute group, its attributes and options, families, family variants and the category root. Look at the plan, then apply it; existing things are left as they are, except families gaining attributes."
        actions={<BootstrapActions state={state} canApply={isAdmin} />}
      />
      {!isAdmin && (
        <Text size="sm" c="dimmed" mb="sm">
          Applying needs the administrator role.
        </Text>
      )}
      <BootstrapPlanBody state={state} />
    </>
  );
}
