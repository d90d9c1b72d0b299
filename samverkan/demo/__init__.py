"""Fictional demo data: Samordningsförbundet Exempelbygd."""
