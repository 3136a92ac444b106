/** Sign in: name and password; the server rate-limits attempts and says so in plain words. */
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useSignIn } from '../api/session';

export function SignInPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useSignIn();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get('next');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate(
      { username, password },
      { onSuccess: () => navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true }) },
    );
  };
  return (
    <Center mih="100vh" component="main" p="md">
      <Paper w={380} shadow="sm" p="xl">
        <form onSubmit={submit} aria-labelledby="sign-in-title">
          <Stack gap="md">
            <div>
              <Title id="sign-in-title" order={1} size="h2" c="akeneo.7">
                Ferry
              </Title>
              <Text c="dimmed" size="sm">
                Sign in to follow and start the imports from your ERP into Akeneo.
              </Text>
            </div>
            {signIn.error && (
              <Alert color="red" role="alert" title="Could not sign in">
                {signIn.error.message}
              </Alert>
            )}
            <TextInput label="User name" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.currentTarget.value)} />
            <PasswordInput label="Password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
            <Button type="submit" loading={signIn.isPending} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
