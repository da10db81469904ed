import type { Page } from 'playwright-core';

/** On a new bench: the first admin (Ana Admin, 246810) signs in and adds a technician (Tom Tech, 1357). */
export async function setUpAdminAndTechnician(page: Page): Promise<void> {
  await page.getByLabel('Admin name').fill('Ana Admin');
  await page.getByLabel('PIN (4–12 digits)').fill('246810');
  await page.getByLabel('Repeat the PIN').fill('246810');
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
  await page.getByTestId('nav-operators').click();
  await page.getByLabel('Name', { exact: true }).fill('Tom Tech');
  await page.getByLabel('PIN (4–12 digits)').fill('1357');
  await page.getByRole('button', { name: 'Add operator' }).click();
  await page.getByTestId('operator-row-Tom Tech').waitFor();
}

/** Signs in from the operator tiles with the PIN. */
export async function signInAs(page: Page, name: string, pin: string): Promise<void> {
  await page.getByTestId(`operator-${name}`).click();
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
